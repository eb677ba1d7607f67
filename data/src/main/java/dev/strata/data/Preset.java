package dev.strata.data;

import dev.strata.model.TransformerSpec;

/**
 * A model in the built-in catalog.
 *
 * @param id              stable lower-case id with dashes ({@code llama-3-8b})
 * @param name            display name
 * @param spec            the architecture
 * @param publishedTotal  the published total parameter count, or null where none is published
 * @param publishedActive the published active parameter count (MoE), or null
 * @param publishedText   the published figure as its source prints it ("671B total, 37B activated")
 * @param publishedExact  whether the published figure is an exact count (false: rounded, e.g. "175.0B")
 * @param source          where the published figure comes from
 * @param note            modelling notes (assumptions, known typos in the source), or empty
 * @param imported        how its config imports: the checkpoint's weight format and what the import assumed
 */
public record Preset(
        String id,
        String name,
        TransformerSpec spec,
        Long publishedTotal,
        Long publishedActive,
        String publishedText,
        boolean publishedExact,
        String source,
        String note,
        HfConfigImporter.Imported imported) {}
