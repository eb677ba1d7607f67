package dev.strata.web.cli;

import dev.strata.data.HfConfigImporter;
import dev.strata.data.PresetCatalog;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.TransformerSpec;
import dev.strata.web.report.ResolvedModel;

/**
 * The value of {@code --model}: a preset id, the path of a config.json or of a checkpoint folder, or {@code -} for a
 * config.json on standard input ({@code curl .../config.json | strata estimate --model -}), read once and at most
 * {@link HfConfigImporter#MAX_CONFIG_BYTES}.
 */
final class ModelOption {
    /** The value that reads standard input. */
    static final String STDIN = "-";

    private static final String SOURCE = "standard input";

    private ModelOption() {}

    /** The model {@code value} names, with what its import assumed. */
    static ResolvedModel resolve(String value) {
        if (!STDIN.equals(value)) return ResolvedModel.of(value);
        String text = stdin();
        try {
            return ResolvedModel.ofConfigText(text, SOURCE);
        } catch (InvalidFieldException e) {
            throw fromStdin(e);
        }
    }

    /**
     * What resolves each model of a list ({@code sweep --model a,b,-}): standard input is read at its first use and
     * kept.
     */
    static java.util.function.Function<String, TransformerSpec> specs() {
        TransformerSpec[] fromStdin = new TransformerSpec[1];
        return value -> {
            if (!STDIN.equals(value)) return PresetCatalog.resolve(value);
            if (fromStdin[0] == null) {
                String text = stdin();
                try {
                    fromStdin[0] = HfConfigImporter.fromJson(text, SOURCE);
                } catch (InvalidFieldException e) {
                    throw fromStdin(e);
                }
            }
            return fromStdin[0];
        };
    }

    /** An import's error, said of {@code --model -}: "config" alone would not tell the user which input. */
    private static InvalidFieldException fromStdin(InvalidFieldException e) {
        return InvalidFieldException.withMessage("--model", "--model - (" + SOURCE + "): " + e.getMessage());
    }

    private static String stdin() {
        return StandardStreams.readText("--model", HfConfigImporter.MAX_CONFIG_BYTES, "a config.json");
    }
}
