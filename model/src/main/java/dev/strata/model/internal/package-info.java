/**
 * Not API: helpers the strata modules share (argument checks, integer arithmetic, size bounds). They are public only
 * because several packages and modules call them; they may change or go in any release without notice. Library users
 * should not call them: the value types of {@code dev.strata.model} and the estimators apply them already.
 */
package dev.strata.model.internal;
