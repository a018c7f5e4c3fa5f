/**
 * Immutable configuration records with their defaults and start-up validation.
 * {@link io.herald.config.HeraldConfig} is the root; only herald-server reads files and the environment.
 */
package io.herald.config;
