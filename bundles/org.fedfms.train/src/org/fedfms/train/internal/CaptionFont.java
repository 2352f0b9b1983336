package org.fedfms.train.internal;

import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A 5×7 pixel font for captions drawn into overlay PNGs without the platform's fonts (a headless JVM on a
 * server may have none): digits, letters (lower case drawn as upper case) and {@code . - _ : ( ) / + # ,}.
 * Other characters are drawn as {@code ?}.
 */
final class CaptionFont {

    static final int WIDTH = 5;
    static final int HEIGHT = 7;
    /** Horizontal advance of one character, in unscaled pixels. */
    static final int ADVANCE = WIDTH + 1;

    private static final Map<Character, String[]> GLYPHS = new HashMap<>();

    static {
        glyph('0', " ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### ");
        glyph('1', "  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### ");
        glyph('2', " ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####");
        glyph('3', "#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### ");
        glyph('4', "   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # ");
        glyph('5', "#####", "#    ", "#### ", "    #", "    #", "#   #", " ### ");
        glyph('6', "  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### ");
        glyph('7', "#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   ");
        glyph('8', " ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### ");
        glyph('9', " ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  ");
        glyph('A', " ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #");
        glyph('B', "#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### ");
        glyph('C', " ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### ");
        glyph('D', "###  ", "#  # ", "#   #", "#   #", "#   #", "#  # ", "###  ");
        glyph('E', "#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####");
        glyph('F', "#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    ");
        glyph('G', " ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####");
        glyph('H', "#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #");
        glyph('I', " ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### ");
        glyph('J', "  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  ");
        glyph('K', "#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #");
        glyph('L', "#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####");
        glyph('M', "#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #");
        glyph('N', "#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #");
        glyph('O', " ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### ");
        glyph('P', "#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    ");
        glyph('Q', " ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #");
        glyph('R', "#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #");
        glyph('S', " ####", "#    ", "#    ", " ### ", "    #", "    #", "#### ");
        glyph('T', "#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ");
        glyph('U', "#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### ");
        glyph('V', "#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  ");
        glyph('W', "#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # ");
        glyph('X', "#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #");
        glyph('Y', "#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  ");
        glyph('Z', "#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####");
        glyph('.', "     ", "     ", "     ", "     ", "     ", " ##  ", " ##  ");
        glyph(',', "     ", "     ", "     ", "     ", " ##  ", "  #  ", " #   ");
        glyph('-', "     ", "     ", "     ", "#####", "     ", "     ", "     ");
        glyph('_', "     ", "     ", "     ", "     ", "     ", "     ", "#####");
        glyph(':', "     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     ");
        glyph('(', "   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # ");
        glyph(')', " #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   ");
        glyph('/', "     ", "    #", "   # ", "  #  ", " #   ", "#    ", "     ");
        glyph('+', "     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     ");
        glyph('#', " # # ", " # # ", "#####", " # # ", "#####", " # # ", " # # ");
        glyph('?', " ### ", "#   #", "    #", "   # ", "  #  ", "     ", "  #  ");
        glyph(' ', "     ", "     ", "     ", "     ", "     ", "     ", "     ");
    }

    private CaptionFont() {
    }

    private static void glyph(char c, String... rows) {
        GLYPHS.put(c, rows);
    }

    /** Width of {@code text} in pixels at {@code scale}. */
    static int width(String text, int scale) {
        return text.length() * ADVANCE * scale;
    }

    /** Draws {@code text} with its top-left corner at (x, y), each font pixel a {@code scale}-square block. */
    static void draw(BufferedImage image, String text, int x, int y, int scale, int rgb) {
        String upper = text.toUpperCase(Locale.ROOT);
        for (int k = 0; k < upper.length(); k++) {
            String[] rows = GLYPHS.getOrDefault(upper.charAt(k), GLYPHS.get('?'));
            int left = x + k * ADVANCE * scale;
            for (int r = 0; r < HEIGHT; r++) {
                for (int c = 0; c < WIDTH; c++) {
                    if (rows[r].charAt(c) == '#') {
                        fill(image, left + c * scale, y + r * scale, scale, rgb);
                    }
                }
            }
        }
    }

    private static void fill(BufferedImage image, int x, int y, int scale, int rgb) {
        for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
                if (x + dx < image.getWidth() && y + dy < image.getHeight()) {
                    image.setRGB(x + dx, y + dy, rgb);
                }
            }
        }
    }
}
