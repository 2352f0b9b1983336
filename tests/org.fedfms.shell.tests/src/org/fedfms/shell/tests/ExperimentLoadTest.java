package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** {@code experiment-load} validates the spec once, after {@code --name}, and names the file. */
class ExperimentLoadTest {

    private Shell shell;
    private Path tmp;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        tmp = Files.createTempDirectory("fedfms-shell-load");
    }

    @AfterEach
    void close() {
        shell.close();
        Shell.deleteTree(tmp);
    }

    @Test
    void theNameGivenReplacesAnInvalidOneAndABadValueIsNamedOnceWithTheFile() throws Exception {
        shell.forget("shell-load-src");
        shell.forget("shell-load-renamed");
        FederationService f = shell.federation();
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 shell-load-src");
        Path saved = tmp.resolve("saved.json");
        shell.run("fedfms:experiment-save shell-load-src " + saved);
        JsonObject json = JsonParser.parseString(Files.readString(saved, StandardCharsets.UTF_8)).getAsJsonObject();

        json.addProperty("name", "not a valid name!");
        Path badName = tmp.resolve("bad-name.json");
        Files.writeString(badName, json.toString(), StandardCharsets.UTF_8);
        String refused = shell.error("fedfms:experiment-load " + badName);
        assertTrue(refused.contains(badName.toString()) && refused.contains("'name'"), refused);
        shell.run("fedfms:experiment-load --name shell-load-renamed " + badName);
        assertEquals(f.spec("shell-load-src").toBuilder().name("shell-load-renamed").build(),
                f.spec("shell-load-renamed"));
        shell.forget("shell-load-renamed");

        json.addProperty("rounds", 0);
        Path badRounds = tmp.resolve("bad-rounds.json");
        Files.writeString(badRounds, json.toString(), StandardCharsets.UTF_8);
        String rounds = shell.error("fedfms:experiment-load --name shell-load-renamed " + badRounds);
        assertTrue(rounds.contains(badRounds.toString()) && rounds.contains("'rounds'"), rounds);
        assertEquals(rounds.indexOf("'rounds'"), rounds.lastIndexOf("'rounds'"), "named once: " + rounds);
        assertTrue(f.experiments().stream().noneMatch(s -> s.name().equals("shell-load-renamed")));
        shell.forget("shell-load-src");
    }
}
