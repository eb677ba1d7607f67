package dev.strata.data;

import dev.strata.model.InvalidFieldException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds a Hugging Face repository ({@code Qwen/Qwen3-30B-A3B}) in the local Hugging Face cache, offline: the layout of
 * huggingface_hub's cache ({@code models--<org>--<name>/refs/main} names the commit whose files are under
 * {@code snapshots/<commit>/}), in the cache folder huggingface_hub itself uses: {@code HF_HUB_CACHE}, else
 * {@code HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}. Nothing is downloaded.
 */
final class HubCache {
    private static final Pattern REPO_ID =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}");

    private HubCache() {}

    /** Whether {@code text} has the form of a repository id ({@code org/name}). */
    public static boolean isRepoId(String text) {
        return text != null && REPO_ID.matcher(text).matches() && !text.contains("..");
    }

    /** The cache folders huggingface_hub would use with these environment variables and this home folder. */
    public static List<Path> roots(Map<String, String> env, String home) {
        List<Path> roots = new ArrayList<>();
        String hubCache = env.get("HF_HUB_CACHE");
        if (hubCache != null && !hubCache.isBlank()) roots.add(Path.of(hubCache));
        else {
            String hfHome = env.get("HF_HOME");
            if (hfHome != null && !hfHome.isBlank()) roots.add(Path.of(hfHome, "hub"));
            else if (home != null) roots.add(Path.of(home, ".cache", "huggingface", "hub"));
        }
        return roots;
    }

    /** The cache folders of this process's environment. */
    public static List<Path> roots() {
        return roots(System.getenv(), System.getProperty("user.home"));
    }

    /**
     * The snapshot folder of {@code repoId} in {@code roots}: the commit {@code refs/main} names, or the only
     * snapshot there is. An error names the repository and where it was looked for when none holds a config.json.
     */
    public static Path snapshot(String repoId, List<Path> roots) {
        String folder = "models--" + repoId.replace("/", "--");
        for (Path root : roots) {
            Path repo = root.resolve(folder);
            if (!Files.isDirectory(repo)) continue;
            Path snapshots = repo.resolve("snapshots");
            Path ref = repo.resolve("refs").resolve("main");
            try {
                if (Files.isRegularFile(ref)) {
                    String commit = Files.readString(ref).trim();
                    if (commit.matches("[0-9a-f]{7,64}")) {
                        Path p = snapshots.resolve(commit);
                        if (Files.isRegularFile(p.resolve("config.json"))) return p;
                    }
                }
                if (Files.isDirectory(snapshots)) {
                    List<Path> withConfig = new ArrayList<>();
                    try (var list = Files.list(snapshots)) {
                        list.filter(p -> Files.isRegularFile(p.resolve("config.json")))
                                .forEach(withConfig::add);
                    }
                    if (withConfig.size() == 1) return withConfig.get(0);
                    if (withConfig.size() > 1)
                        throw InvalidFieldException.withMessage(
                                "model",
                                "model = \"" + repoId + "\" has " + withConfig.size() + " snapshots in " + snapshots
                                        + " and refs/main names none of them: give the snapshot folder instead");
                }
            } catch (IOException e) {
                throw new InvalidFieldException(
                        "model", repoId, "a readable Hugging Face cache entry (" + e.getMessage() + ")");
            }
        }
        throw InvalidFieldException.withMessage(
                "model",
                "model = \"" + repoId
                        + "\" is not a preset, a file or a folder, and no snapshot with a config.json of it"
                        + " is in the local Hugging Face cache (" + (roots.isEmpty() ? "no cache folder" : roots.get(0))
                        + "); strata does not download: fetch it with huggingface-cli or give a config.json");
    }
}
