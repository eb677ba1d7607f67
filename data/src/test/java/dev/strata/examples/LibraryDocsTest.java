package dev.strata.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code java} block of docs/library.md, compiled and run as the document prints it: its import lines become
 * the imports of a class of its own, the rest the body of a method. The class is in no package of the library, so an
 * example compiles only with what is public, and the imports it shows are exactly the ones it uses (none missing,
 * none unused, no wildcards). An example whose last line is a comment must print that comment as its last line.
 * {@link LibraryUsageExampleTest} checks the figures the other comments state.
 */
class LibraryDocsTest {
    static final Path DOC = Path.of("docs", "library.md");
    private static final Pattern BLOCK = Pattern.compile("(?s)```java\\n(.*?)```");
    private static final Pattern IMPORT = Pattern.compile("import ([\\w.]+)\\.(\\w+|\\*);");

    @TempDir
    static Path classes;

    static List<String> examples() throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(DOC));
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    @Test
    void theDocumentHasItsExamples() throws IOException {
        // size a model, prepare once, the fitted GPU model, fit a scaling law, errors
        assertThat(examples()).hasSize(5);
    }

    @TestFactory
    Stream<DynamicTest> everyExampleCompilesAndRuns() throws IOException {
        List<String> examples = examples();
        return IntStream.range(0, examples.size())
                .mapToObj(i -> DynamicTest.dynamicTest(
                        "example " + (i + 1) + " of " + DOC,
                        () -> compileAndRun("Example" + (i + 1), examples.get(i))));
    }

    private static void compileAndRun(String name, String example) throws Exception {
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : example.split("\n", -1)) {
            if (line.startsWith("import ")) imports.add(line.trim());
            else body.append(line).append('\n');
        }
        String code = body.toString().replaceAll("//[^\n]*", "");
        for (String i : imports) {
            Matcher m = IMPORT.matcher(i);
            assertThat(m.matches())
                    .as("%s: %s is an import of one class", name, i)
                    .isTrue();
            assertThat(m.group(2)).as("%s: wildcard import %s", name, i).isNotEqualTo("*");
            assertThat(Pattern.compile("\\b" + m.group(2) + "\\b").matcher(code).find())
                    .as("%s: %s is imported but not used", name, m.group(2))
                    .isTrue();
        }
        String source = String.join("\n", imports) + "\n\npublic class " + name
                + " {\n    public static void run() throws Exception {\n" + body + "    }\n}\n";
        Path dir = Files.createDirectories(classes.resolve(name));
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of(
                    "-classpath",
                    classpath(),
                    "-d",
                    dir.toString(),
                    "--release",
                    "17",
                    "-proc:none",
                    "-Xlint:all",
                    "-Werror");
            boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(file))
                    .call();
            assertThat(ok)
                    .as("%s does not compile:%n%s%n%s", name, diagnostics.getDiagnostics(), source)
                    .isTrue();
        }

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, LibraryDocsTest.class.getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass(name).getMethod("run").invoke(null);
        } catch (InvocationTargetException e) {
            throw new AssertionError(name + " failed:\n" + source, e.getCause());
        } finally {
            System.setOut(out);
        }
        // every example prints what it found; one that ends in a comment prints that comment last
        String output = printed.toString(StandardCharsets.UTF_8).strip();
        assertThat(output).as("%s printed nothing", name).isNotBlank();
        String[] lines = example.strip().split("\n");
        String last = lines[lines.length - 1].strip();
        if (last.startsWith("// ")) {
            String[] printedLines = output.split("\\R");
            assertThat(printedLines[printedLines.length - 1].strip())
                    .as("%s prints what its last comment says", name)
                    .isEqualTo(last.substring(3));
        }
    }

    /** The test's classpath: surefire passes it in a property when it starts the tests from a manifest-only jar. */
    private static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }
}
