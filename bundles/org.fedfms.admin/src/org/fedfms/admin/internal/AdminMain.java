package org.fedfms.admin.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's {@code fedfms provision ...} and {@code fedfms admin --config admin.properties COMMAND ...}:
 * exit status 0 when done, 1 when the coordinator refused or failed, 2 on wrong usage.
 */
public final class AdminMain {

    static final String ADMIN_USAGE = String.join("\n",
            "usage: fedfms admin --config admin.properties COMMAND [ARGS]",
            "  sites                          the configured sites: joined, samples, last seen",
            "  experiments                    every experiment with its state and rounds",
            "  create SPEC.json               create an experiment from a spec (releng/experiment-spec.json)",
            "  run [--wait] NAME              start its planned rounds; --wait: a line per round until it ends",
            "  pause NAME | resume NAME       stop after the current round | go on",
            "  status NAME                    its state, rounds, strategy and last evaluation",
            "  strategy NAME ID [k=v ...]     swap its strategy (the next round uses it)",
            "  metrics NAME                   a row per round and site: status, samples, loss, dice, ...",
            "  export NAME DIR                status.json, history.json and rounds.csv into DIR",
            "  remove NAME                    remove it with its files (DELETE)");

    static final String PROVISION_USAGE = "usage: fedfms provision --sites A,B[,...] [--host H] [--port P] [--mtls] "
            + "--out DIR\n  writes coordinator.properties, site-<id>.properties and admin.properties into DIR (new or "
            + "empty);\n  H is the coordinator's address as the sites reach it (default localhost), P its port "
            + "(default 8443);\n  --mtls: a key pair per site, which the coordinator requires (mutual TLS)";

    private AdminMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs {@code provision ...} or {@code admin ...}; returns the exit status. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println("fedfms: give provision or admin");
            return 2;
        }
        String mode = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            if (mode.equals("provision")) {
                if (rest.contains("--help") || rest.contains("-h")) {
                    out.println(PROVISION_USAGE);
                    return 0;
                }
                new Provisioner().provision(Provisioner.parse(rest)).forEach(out::println);
                return 0;
            }
            if (mode.equals("admin")) {
                return admin(rest, out);
            }
            err.println("fedfms: unknown mode '" + mode + "'");
            return 2;
        } catch (UsageException e) {
            err.println("fedfms " + mode + ": " + e.getMessage());
            err.println(mode.equals("provision") ? PROVISION_USAGE : ADMIN_USAGE);
            return 2;
        } catch (IOException e) {
            err.println("fedfms " + mode + ": " + e.getMessage());
            return 1;
        }
    }

    private static int admin(List<String> args, PrintStream out) throws IOException {
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            if (args.isEmpty()) {
                throw new UsageException("give --config admin.properties and a command");
            }
            out.println(ADMIN_USAGE);
            return 0;
        }
        if (args.size() < 3 || !args.get(0).equals("--config")) {
            throw new UsageException("start with --config admin.properties, then the command");
        }
        AdminConnection connection = AdminConnection.of(Path.of(args.get(1)));
        String command = args.get(2);
        List<String> operands = new ArrayList<>(args.subList(3, args.size()));
        return new AdminCommands(connection, out).execute(command, operands);
    }

    /** The text of a file given on the command line; a missing one is a usage error. */
    static String read(Path file, String what) throws IOException {
        if (!Files.isReadable(file)) {
            throw new UsageException("cannot read " + what + " " + file);
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
