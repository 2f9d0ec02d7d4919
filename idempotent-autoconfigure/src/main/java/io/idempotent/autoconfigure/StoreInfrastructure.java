package io.idempotent.autoconfigure;

import java.util.Arrays;

import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.StringUtils;

/**
 * Picks the infrastructure bean a store is built on (the DataSource, the RedisConnectionFactory): the one named
 * by a property, else the only one, else the primary one. When none fits it fails saying exactly what it
 * looked for and what it found.
 */
final class StoreInfrastructure {

	private StoreInfrastructure() {
	}

	static <T> T pick(ListableBeanFactory beans, Class<T> type, String name, String property, StoreType store) {
		String[] candidates = BeanFactoryUtils.beanNamesForTypeIncludingAncestors(beans, type);
		String simpleName = type.getSimpleName();
		if (StringUtils.hasText(name)) {
			if (Arrays.asList(candidates).contains(name)) {
				return beans.getBean(name, type);
			}
			throw new NoIdempotencyStoreException(store, property + " names '" + name + "' but the " + simpleName
					+ " beans are " + Arrays.toString(candidates));
		}
		T unique = beans.getBeanProvider(type).getIfUnique();
		if (unique != null) {
			return unique;
		}
		throw new NoIdempotencyStoreException(store, (candidates.length == 0) ? null
				: candidates.length + " " + simpleName + " beans " + Arrays.toString(candidates)
						+ " and none is @Primary; mark one @Primary or name it in " + property);
	}

}
