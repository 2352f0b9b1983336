package org.fedfms.djl.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.jna.NativeLibrary;

/**
 * Lets the MKL inside libtorch pick its code path from the CPU's features on every x86-64 CPU, not only on
 * Intel's. MKL asks {@code mkl_serv_intel_cpu_true()} whether the CPU is an Intel one and, where it is not,
 * runs its generic SSE2 kernels: on an AMD EPYC the matrix product of a linear layer took twice as long as
 * with its AVX2/AVX-512 kernels (and longer than OpenBLAS). libtorch exports that function and calls it
 * through its procedure linkage table, so a definition loaded earlier into the process's global scope takes
 * its place: {@link #install()} writes a 4 KB ELF shared object whose one function returns 1 and loads it
 * (JNA opens libraries with {@code RTLD_GLOBAL}) before the engine loads libtorch. MKL still checks the
 * instruction-set features itself.
 *
 * <p>Only on Linux x86-64 with a CPU whose vendor is not Intel; {@code -Dfedfms.mkl.vendorShim=false} leaves
 * MKL as it is. A failure only costs speed: it is logged and the engine starts as before.
 */
final class MklVendorShim {

    /** System property that turns the shim off when {@code false}. */
    static final String PROPERTY = "fedfms.mkl.vendorShim";
    static final String FUNCTION = "mkl_serv_intel_cpu_true";

    private static final Logger LOG = LoggerFactory.getLogger(MklVendorShim.class);
    private static final int PAGE = 0x1000;
    private static NativeLibrary loaded;

    private MklVendorShim() {
    }

    /** Loads the shim once where it applies; true if it is loaded. Call before the engine loads libtorch. */
    static synchronized boolean install() {
        if (loaded != null) {
            return true;
        }
        if (!applies()) {
            return false;
        }
        try {
            Path dir = Files.createTempDirectory("fedfms-mkl",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve("libfedfms-mkl-vendor.so");
            try {
                Files.write(file, sharedObject());
                loaded = NativeLibrary.getInstance(file.toString());
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
            return true;
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.warn("MKL keeps its generic kernels on this CPU: the vendor shim did not load ({})", e.toString());
            return false;
        }
    }

    private static boolean applies() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return false;
        }
        String arch = System.getProperty("os.arch", "");
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return false;
        }
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("vendor_id"))
                    .findFirst()
                    .map(l -> !l.contains("GenuineIntel"))
                    .orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * An ELF64 x86-64 shared object exporting {@value #FUNCTION}, which returns 1 ({@code mov eax, 1; ret}).
     * A read-and-execute segment holds the header, the program headers, the symbol hash table, the symbol and
     * string tables and the code; a read-write page holds the dynamic section (which the loader may relocate
     * in place); a {@code PT_GNU_STACK} header keeps the stack non-executable.
     */
    static byte[] sharedObject() {
        byte[] name = FUNCTION.getBytes(StandardCharsets.US_ASCII);
        int phnum = 4;
        int hash = 64 + phnum * 56;
        int symtab = align(hash + 5 * 4, 8);
        int strtab = symtab + 2 * 24;
        int strsz = name.length + 2;
        int code = align(strtab + strsz, 16);
        byte[] instructions = {(byte) 0xb8, 1, 0, 0, 0, (byte) 0xc3};
        int textEnd = code + instructions.length;
        int dynamic = PAGE;
        int dynsz = 6 * 16;
        ByteBuffer b = ByteBuffer.allocate(dynamic + dynsz).order(ByteOrder.LITTLE_ENDIAN);
        // ELF header: 64-bit, little-endian, version 1, shared object for x86-64
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        b.putShort((short) 3).putShort((short) 62).putInt(1).putLong(0).putLong(64).putLong(0).putInt(0);
        b.putShort((short) 64).putShort((short) 56).putShort((short) phnum).putShort((short) 64).putShort((short) 0)
                .putShort((short) 0);
        programHeader(b, 1, 5, 0, textEnd, PAGE); // PT_LOAD r-x
        programHeader(b, 1, 6, dynamic, dynsz, PAGE); // PT_LOAD rw-
        programHeader(b, 2, 6, dynamic, dynsz, 8); // PT_DYNAMIC
        programHeader(b, 0x6474e551, 6, 0, 0, 16); // PT_GNU_STACK rw-
        // SysV hash: one bucket holding symbol 1, chains ending at 0
        b.position(hash);
        b.putInt(1).putInt(2).putInt(1).putInt(0).putInt(0);
        // symbols: the null symbol, then the global function (section index: any defined one)
        b.position(symtab + 24);
        b.putInt(1).put((byte) 0x12).put((byte) 0).putShort((short) 1).putLong(code).putLong(instructions.length);
        b.position(strtab + 1);
        b.put(name);
        b.position(code);
        b.put(instructions);
        b.position(dynamic);
        b.putLong(4).putLong(hash); // DT_HASH
        b.putLong(5).putLong(strtab); // DT_STRTAB
        b.putLong(6).putLong(symtab); // DT_SYMTAB
        b.putLong(10).putLong(strsz); // DT_STRSZ
        b.putLong(11).putLong(24); // DT_SYMENT
        b.putLong(0).putLong(0); // DT_NULL
        return b.array();
    }

    private static void programHeader(ByteBuffer b, int type, int flags, long at, long size, long alignment) {
        b.putInt(type).putInt(flags).putLong(at).putLong(at).putLong(at).putLong(size).putLong(size)
                .putLong(alignment);
    }

    private static int align(int at, int alignment) {
        return (at + alignment - 1) / alignment * alignment;
    }
}
