/**
 * The application's entry point: {@code Main}, the {@code strata} command line, whose subcommands (in {@code cli})
 * answer in a shell and whose {@code serve} starts the web app (in {@code http} and {@code page}). Answers "how is
 * strata started?"
 */
package dev.strata.web;
