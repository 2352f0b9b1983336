package org.fedfms.data.volume;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.Sample;
import org.fedfms.data.DatasetBuilder;
import org.fedfms.data.LabelMapping;
import org.fedfms.data.SiteFolders;
import org.fedfms.data.CaseHandling;

/**
 * Datasets of labelled volumes described by a {@code dataset.json}, as nnU-Net and the Medical
 * Segmentation Decathlon keep them: one dataset folder per site, or one dataset whose cases a
 * {@code case,site} CSV deals to sites. Labels are chosen by name; the part their loaders share.
 */
public final class VolumeDatasets {

    /** The file that describes a dataset folder. */
    public static final String DESCRIPTION_FILE = "dataset.json";

    private VolumeDatasets() {
    }

    /**
     * One dataset folder as its loader read it.
     *
     * @param name the folder's name (the site, unless a CSV deals its cases)
     * @param labels label name to stored value, background included
     * @param cases the cases found complete
     * @param caseProblems problems of single cases (skippable with {@code skipBad})
     * @param problems problems of the whole folder
     */
    public record Folder(String name, Map<String, Long> labels, List<VolumeCase> cases, List<CaseProblem> caseProblems,
            List<String> problems) {

        public Folder {
            labels = new LinkedHashMap<>(labels);
            cases = List.copyOf(cases);
            caseProblems = List.copyOf(caseProblems);
            problems = List.copyOf(problems);
        }
    }

    /** A problem of one case ({@code *}: of the folder, listed but skipping nothing). */
    public record CaseProblem(String caseId, String problem) {
    }

    /**
     * The dataset folders under {@code root}: the root itself when it holds a {@code dataset.json},
     * else its sub-folders.
     */
    public static List<Path> folders(String subject, String root) throws DatasetException {
        if (root != null && !root.isBlank() && Files.isRegularFile(Path.of(root).resolve(DESCRIPTION_FILE))) {
            return List.of(Path.of(root));
        }
        return SiteFolders.of(subject, root);
    }

    /**
     * How each dataset folder under {@code root} describes itself, as {@code reader} reads it; files are named
     * relative to the folder that holds the datasets.
     */
    public static List<Folder> readFolders(String subject, String root,
            BiFunction<Path, Function<Path, String>, Folder> reader) throws DatasetException {
        List<Path> dirs = folders(subject, root);
        Path given = Path.of(root);
        Path base = dirs.size() == 1 && dirs.get(0).equals(given) && given.toAbsolutePath().getParent() != null
                ? given.toAbsolutePath().getParent() : given.toAbsolutePath();
        Function<Path, String> show = p -> base.relativize(p.toAbsolutePath()).toString();
        List<Folder> read = new ArrayList<>();
        for (Path dir : dirs) {
            read.add(reader.apply(dir, show));
        }
        return read;
    }

    /**
     * Reads the dataset folders under the settings' root with {@code reader} and builds the dataset: the whole
     * load of a loader of self-describing dataset folders.
     *
     * @param subject the loader, for messages (e.g. {@code dataset nnunet})
     * @throws DatasetException listing every problem found
     */
    public static FederatedDataset load(String subject, DatasetFolderSettings s,
            BiFunction<Path, Function<Path, String>, Folder> reader) throws DatasetException {
        List<Folder> folders = readFolders(subject, s.root(), reader);
        return build(subject, s.root(), folders, s.sites(), s.labels(), s.volumes(), s.cases());
    }

    /**
     * Builds the dataset.
     *
     * @param subject the loader, for messages (e.g. {@code dataset nnunet})
     * @param root the dataset root as given
     * @param sitesCsv a {@code case,site} CSV dealing the cases of a single dataset to sites; empty: one
     *        site per dataset folder
     * @param labelNames the labels to segment, comma-separated names; empty: every foreground label
     * @throws DatasetException listing every problem found
     */
    public static FederatedDataset build(String subject, String root, List<Folder> folders, String sitesCsv,
            String labelNames, VolumeSettings volumes, CaseHandling cases) throws DatasetException {
        checkWindow(subject, volumes);
        List<String> chosen = chosenLabels(folders, labelNames);
        DatasetBuilder builder = new DatasetBuilder(subject.replace("dataset ", "") + " " + root,
                Math.max(2, chosen.size() + 1));
        Map<String, String> siteOf = null;
        if (sitesCsv != null && !sitesCsv.isBlank()) {
            if (folders.size() != 1) {
                throw new DatasetException(subject + ": bad settings", List.of("sites=" + sitesCsv + " deals the cases "
                        + "of one dataset to sites, but " + root + " holds " + folders.size() + " dataset folders"));
            }
            siteOf = readSites(subject, Path.of(sitesCsv));
        }
        if (chosen.isEmpty()) {
            builder.problem("no foreground label to segment: " + DESCRIPTION_FILE + " lists none");
        }
        VolumeCache cache = new VolumeCache(volumes.cacheMB() * (1L << 20));
        Map<String, List<Sample>> sites = new LinkedHashMap<>();
        if (siteOf != null) {
            siteOf.values().stream().distinct().sorted().forEach(s -> sites.put(s, new ArrayList<>()));
        }
        for (Folder f : folders) {
            f.problems().forEach(p -> builder.problem(p));
            LabelMapping mapping = mapping(f, chosen, builder);
            if (siteOf == null) {
                sites.put(f.name(), new ArrayList<>());
            }
            for (CaseProblem p : f.caseProblems()) {
                String site = siteOf == null ? f.name() : siteOf.getOrDefault(p.caseId(), f.name());
                builder.badCase(site, p.caseId(), p.problem());
            }
            if (mapping == null) {
                continue;
            }
            VolumeSlicing slicing = new VolumeSlicing(volumes.axis(), mapping, volumes.window().intensity(),
                    volumes.window().windowLow(), volumes.window().windowHigh(), volumes.adjacentSlices(), cache);
            for (VolumeCase c : f.cases()) {
                String site = siteOf == null ? f.name() : siteOf.get(c.caseId());
                if (site == null) {
                    builder.badCase(f.name(), c.caseId(), c.shownLabel() + ": case " + c.caseId() + " is not in "
                            + sitesCsv + " (one line case,site per case)");
                    continue;
                }
                try {
                    sites.get(site).addAll(slicing.cut(c, volumes.emptySliceStride()));
                } catch (IOException e) {
                    builder.badCase(site, c.caseId(), e.getMessage());
                }
            }
        }
        sites.forEach(builder::site);
        builder.labeler(VolumeSlicing.DOMINANT_CLASS);
        return builder.build(cases);
    }

    private static void checkWindow(String subject, VolumeSettings v) throws DatasetException {
        try {
            v.window().checkWindow();
        } catch (IllegalArgumentException e) {
            throw new DatasetException(subject + ": bad settings", List.of(e.getMessage()));
        }
    }

    private static List<String> chosenLabels(List<Folder> folders, String labelNames) {
        if (labelNames != null && !labelNames.isBlank()) {
            List<String> l = new ArrayList<>();
            for (String n : labelNames.split(",")) {
                if (!n.isBlank()) {
                    l.add(n.trim());
                }
            }
            return l;
        }
        for (Folder f : folders) {
            if (!f.labels().isEmpty()) {
                return f.labels().entrySet().stream().filter(e -> e.getValue() != 0)
                        .sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey).toList();
            }
        }
        return List.of();
    }

    private static LabelMapping mapping(Folder f, List<String> chosen, DatasetBuilder builder) {
        if (f.labels().isEmpty() || chosen.isEmpty()) {
            return null;
        }
        List<Long> values = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : chosen) {
            Long v = f.labels().get(name);
            if (v == null || v == 0) {
                missing.add(name);
            } else {
                values.add(v);
            }
        }
        if (!missing.isEmpty()) {
            builder.problem(f.name() + "/" + DESCRIPTION_FILE + ": no foreground label named " + String.join(", ", missing)
                    + " (labels: " + String.join(", ", f.labels().keySet()) + "); choose with labels=NAME,NAME");
            return null;
        }
        try {
            return LabelMapping.chosen(List.copyOf(f.labels().values()), values);
        } catch (IllegalArgumentException e) {
            builder.problem(f.name() + "/" + DESCRIPTION_FILE + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Reads a {@code case,site} CSV (an optional header line {@code case,site}; blank lines and lines
     * starting with {@code #} ignored).
     *
     * @throws DatasetException listing every malformed or duplicated line
     */
    public static Map<String, String> readSites(String subject, Path csv) throws DatasetException {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetException(subject + ": cannot read the sites file " + csv + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || (i == 0 && line.equalsIgnoreCase("case,site"))) {
                continue;
            }
            String[] parts = line.split(",", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                problems.add(csv + " line " + (i + 1) + ": '" + line + "' is not case,site");
            } else if (m.putIfAbsent(parts[0].strip(), parts[1].strip()) != null) {
                problems.add(csv + " line " + (i + 1) + ": case " + parts[0].strip() + " is listed twice");
            }
        }
        if (m.isEmpty() && problems.isEmpty()) {
            problems.add(csv + ": no case,site lines");
        }
        if (!problems.isEmpty()) {
            throw new DatasetException(subject + ": bad sites file", problems);
        }
        return m;
    }

    /** Case ids sorted, for stable orders. */
    public static final Comparator<VolumeCase> BY_CASE = Comparator.comparing(VolumeCase::caseId);
}
