package org.fedfms.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Matches image files with mask files of a site by base name (the name without extension, and
 * without the mask suffix): {@code images/a.png} with {@code masks/a.png} or {@code masks/a_mask.tif}.
 * Images and masks may share a folder when masks carry a suffix. Hidden files are ignored; every
 * other unmatched, duplicated or unsupported file is a problem.
 */
public final class FilePairs {

    private FilePairs() {
    }

    /**
     * An image and its mask.
     *
     * @param base the shared base name
     * @param image the image file
     * @param mask the mask file
     */
    public record FilePair(String base, Path image, Path mask) {
    }

    /**
     * A file that could not be paired.
     *
     * @param base its base name
     * @param problem the file and what is wrong
     */
    public record Unpaired(String base, String problem) {
    }

    /** Pairs and problems, both sorted by base name. */
    public record Result(List<FilePair> pairs, List<Unpaired> problems) {
        public Result {
            pairs = List.copyOf(pairs);
            problems = List.copyOf(problems);
        }
    }

    /**
     * Pairs the files of {@code imageDir} and {@code maskDir}.
     *
     * @param maskSuffix what mask base names add to the image base name (may be empty unless the
     *        folders are the same)
     * @param extensions accepted lower-case extensions with the dot, e.g. {@code .png}, {@code .nii.gz}
     * @param show how to name a file in messages (e.g. relative to the dataset root)
     * @throws IOException if a folder cannot be listed
     */
    public static Result match(Path imageDir, Path maskDir, String maskSuffix, List<String> extensions,
            java.util.function.Function<Path, String> show) throws IOException {
        boolean shared = imageDir.toAbsolutePath().normalize().equals(maskDir.toAbsolutePath().normalize());
        if (shared && maskSuffix.isEmpty()) {
            throw new IllegalArgumentException("images and masks share the folder " + show.apply(imageDir)
                    + ": masks need a name suffix");
        }
        List<Unpaired> problems = new ArrayList<>();
        Map<String, List<Path>> images = new TreeMap<>();
        Map<String, List<Path>> masks = new TreeMap<>();
        for (Path f : list(imageDir)) {
            String base = acceptedBase(f, extensions, show, problems);
            if (base == null) {
                continue;
            }
            if (shared && endsWithIgnoreCase(base, maskSuffix)) {
                masks.computeIfAbsent(base.substring(0, base.length() - maskSuffix.length()), k -> new ArrayList<>())
                        .add(f);
            } else {
                images.computeIfAbsent(base, k -> new ArrayList<>()).add(f);
            }
        }
        if (!shared) {
            for (Path f : list(maskDir)) {
                String base = acceptedBase(f, extensions, show, problems);
                if (base == null) {
                    continue;
                }
                String key = !maskSuffix.isEmpty() && endsWithIgnoreCase(base, maskSuffix)
                        ? base.substring(0, base.length() - maskSuffix.length()) : base;
                masks.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
            }
        }
        List<FilePair> pairs = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : images.entrySet()) {
            String base = e.getKey();
            List<Path> imgs = e.getValue();
            List<Path> ms = masks.get(base);
            if (imgs.size() > 1) {
                problems.add(new Unpaired(base, names(imgs, show) + " share the name '" + base
                        + "': keep one"));
            } else if (ms == null) {
                problems.add(new Unpaired(base, show.apply(imgs.get(0)) + ": no mask named '" + base + maskSuffix
                        + ".*' in " + show.apply(maskDir)));
            } else if (ms.size() > 1) {
                problems.add(new Unpaired(base, names(ms, show) + " all match image "
                        + show.apply(imgs.get(0)) + ": keep one"));
            } else {
                pairs.add(new FilePair(base, imgs.get(0), ms.get(0)));
            }
        }
        for (Map.Entry<String, List<Path>> e : masks.entrySet()) {
            if (!images.containsKey(e.getKey())) {
                for (Path m : e.getValue()) {
                    problems.add(new Unpaired(e.getKey(), show.apply(m) + ": no image named '" + e.getKey() + ".*' in "
                            + show.apply(imageDir)));
                }
            }
        }
        problems.sort(java.util.Comparator.comparing(Unpaired::base).thenComparing(Unpaired::problem));
        return new Result(pairs, problems);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)).sorted()
                    .toList();
        }
    }

    /** The base name of {@code f}, or {@code null} (and a problem) if its type is not among {@code extensions}. */
    private static String acceptedBase(Path f, List<String> extensions, java.util.function.Function<Path, String> show,
            List<Unpaired> problems) {
        String name = f.getFileName().toString();
        String base = CaseIds.baseName(name);
        String lower = name.toLowerCase(Locale.ROOT);
        if (extensions.stream().anyMatch(lower::endsWith)) {
            return base;
        }
        problems.add(new Unpaired(base, show.apply(f) + ": unsupported file type (accepted: "
                + String.join(", ", extensions) + ")"));
        return null;
    }

    private static boolean endsWithIgnoreCase(String s, String suffix) {
        return s.length() >= suffix.length()
                && s.regionMatches(true, s.length() - suffix.length(), suffix, 0, suffix.length());
    }

    private static String names(List<Path> files, java.util.function.Function<Path, String> show) {
        List<String> l = new ArrayList<>();
        files.forEach(f -> l.add(show.apply(f)));
        return String.join(", ", l);
    }
}
