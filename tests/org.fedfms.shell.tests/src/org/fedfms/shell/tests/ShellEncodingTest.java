package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;

import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.shell.Table;
import org.junit.jupiter.api.Test;

/** The {@code --encoding} option of {@code experiment}: the experiment's transfers coded as it says. */
class ShellEncodingTest extends OnShell {

    @Test
    void encodingOptionSetsTheSpecAndABadOneNamesTheOption() throws Exception {
        String name = "shell-encoded";
        shell.forget(name);
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 --encoding up=topk:0.5+int8,down=int8 " + name);
        assertEquals("up=topk:0.5+int8,down=int8", shell.federation().spec(name).sharing().encoding());
        shell.run("fedfms:run " + name);
        List<RoundResult> h = shell.federation().history(name);
        assertEquals(2, h.size());
        long fp32 = h.get(1).sites().size() * 4L * Float.BYTES;
        assertTrue(h.get(1).bytesUp() > 0 && h.get(1).bytesUp() != fp32 && h.get(0).bytesUp() == h.get(1).bytesUp(),
                "the rounds count the coded messages (the same size each round), not fp32 values: " + h);

        Table t = (Table) shell.execute("fedfms:compare " + name);
        long p = Long.parseLong(t.column("trainable params").get(0));
        long coded = h.stream().flatMap(r -> r.sites().stream()).mapToLong(SiteRoundResult::bytesUp).sum();
        long updates = h.stream().flatMap(r -> r.sites().stream()).filter(s -> s.bytesUp() > 0).count();
        assertEquals(String.format(Locale.ROOT, "1/%.1f", updates * p * 4.0 / coded), t.column("up vs fp32").get(0),
                "compare shows the updates' bytes against their fp32 size");

        shell.forget("shell-bad-encoding");
        String error = shell.error("fedfms:experiment " + Shell.FIXTURE + " --encoding up=int7 shell-bad-encoding");
        assertTrue(error.contains("'encoding' (--encoding)") && error.contains("int7"), error);
        shell.forget(name);
    }
}
