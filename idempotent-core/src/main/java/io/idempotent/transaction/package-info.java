/**
 * The commit-with-transaction mode: a key's completion written in the guarded call's own database transaction,
 * so the business writes and the completion commit, or roll back, together.
 */
package io.idempotent.transaction;
