package org.fedfms.data;

import java.util.List;

import org.fedfms.api.settings.Setting;

/**
 * Where a loader of paired image and mask files finds its sites, declared once (imagefolder, npy): a root
 * with one sub-folder per site, each holding an images folder and a masks folder; flattened into settings
 * of their own.
 *
 * @param root dataset folder holding one sub-folder per site
 * @param imagesDir folder of a site that holds the images
 * @param masksDir folder of a site that holds the masks
 */
public record PairedFolders(
        @Setting(description = "dataset folder holding one sub-folder per site")
        String root,
        @Setting(description = "folder of a site that holds the images")
        String imagesDir,
        @Setting(description = "folder of a site that holds the masks (may equal imagesDir where a mask's name "
                + "carries a suffix)")
        String masksDir) {

    /** The layout of a site: these folders, masks named as their image plus {@code maskSuffix}. */
    public PairedLayout layout(String maskSuffix, List<String> extensions) {
        return new PairedLayout(imagesDir, masksDir, maskSuffix, extensions);
    }
}
