package dev.strata.estimator.scaling;

import dev.strata.model.internal.Checks;

/**
 * How {@link ChinchillaFit} fits.
 *
 * @param huberDelta          δ of the Huber loss on log-loss residuals (Hoffmann et al. 2022, App. D.2: 1e-3)
 * @param excludeHighestLoss  how many runs with the highest loss to leave out before fitting (Besiroglu et al.
 *                            2024 leave out 5 of the 245 runs extracted from Chinchilla's Figure 4)
 * @param bootstrapResamples  bootstrap resamples for standard errors and intervals (0: none; Besiroglu et al.
 *                            use 4,000)
 * @param seed                seed of the bootstrap's random generator; the same seed gives the same result
 * @param confidenceLevel     level of the percentile confidence intervals (0.95)
 * @param grid                starting points
 */
public record FitOptions(
        double huberDelta,
        int excludeHighestLoss,
        int bootstrapResamples,
        long seed,
        double confidenceLevel,
        StartGrid grid) {
    /** Hoffmann et al. 2022, App. D.2. */
    public static final double DEFAULT_HUBER_DELTA = 1e-3;
    /** Most bootstrap resamples accepted. */
    public static final int MAX_BOOTSTRAP_RESAMPLES = 100_000;
    /** Default seed. */
    public static final long DEFAULT_SEED = 1;
    /** Default confidence level of the intervals. */
    public static final double DEFAULT_CONFIDENCE_LEVEL = 0.95;

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param huberDelta δ of the Huber loss on log-loss residuals (Hoffmann et al. 2022, App. D.2: 1e-3)
     * @param excludeHighestLoss how many runs with the highest loss to leave out before fitting (Besiroglu et al. 2024
     *     leave out 5 of the 245 runs extracted from Chinchilla's Figure 4)
     * @param bootstrapResamples bootstrap resamples for standard errors and intervals (0: none; Besiroglu et al. use
     *     4,000)
     * @param seed seed of the bootstrap's random generator; the same seed gives the same result
     * @param confidenceLevel level of the percentile confidence intervals (0.95)
     * @param grid starting points
     */
    public FitOptions {
        Checks.positive("huberDelta", huberDelta, 10);
        Checks.range("exclude-highest-loss", excludeHighestLoss, 0, FitData.MAX_ROWS);
        Checks.range("bootstrap", bootstrapResamples, 0, MAX_BOOTSTRAP_RESAMPLES);
        Checks.range("confidenceLevel", confidenceLevel, 0.5, 0.999);
        Checks.present("grid", grid);
    }

    /**
     * Hoffmann et al.'s procedure: δ = 1e-3, their grid, no exclusions, no bootstrap.
     *
     * @return the options
     */
    public static FitOptions defaults() {
        return new FitOptions(
                DEFAULT_HUBER_DELTA, 0, 0, DEFAULT_SEED, DEFAULT_CONFIDENCE_LEVEL, StartGrid.HOFFMANN_2022);
    }

    /**
     * These options, leaving out the {@code k} runs with the highest loss.
     *
     * @param k how many runs to leave out
     * @return a copy with that exclusion
     */
    public FitOptions withExcludeHighestLoss(int k) {
        return new FitOptions(huberDelta, k, bootstrapResamples, seed, confidenceLevel, grid);
    }

    /**
     * These options with a bootstrap.
     *
     * @param resamples bootstrap resamples (0: none)
     * @param newSeed seed of the bootstrap's random generator
     * @return a copy with that bootstrap
     */
    public FitOptions withBootstrap(int resamples, long newSeed) {
        return new FitOptions(huberDelta, excludeHighestLoss, resamples, newSeed, confidenceLevel, grid);
    }

    /**
     * These options with other starting points.
     *
     * @param g the starting points
     * @return a copy with that grid
     */
    public FitOptions withGrid(StartGrid g) {
        return new FitOptions(huberDelta, excludeHighestLoss, bootstrapResamples, seed, confidenceLevel, g);
    }
}
