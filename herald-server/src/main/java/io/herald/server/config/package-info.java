/**
 * Loading the configuration: YAML file, {@code ${ENV}} substitution, {@code HERALD_*} overrides,
 * secrets from the environment, and zero-config dev defaults. Entry type: {@link io.herald.server.config.ConfigLoader}.
 */
package io.herald.server.config;
