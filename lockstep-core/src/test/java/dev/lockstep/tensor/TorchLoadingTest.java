package dev.lockstep.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchLoadingTest {

    @Test
    void findsTheGpuNativesOnlyWhereTheirJniLibraryIs(@TempDir Path dir) throws IOException {
        assertFalse(Torch.hasGpuNatives(getClass().getClassLoader()), "the build's natives are the CPU ones");
        Path jni = dir.resolve("org/bytedeco/pytorch/" + Loader.getPlatform() + "-gpu/" + System.mapLibraryName("jnitorch"));
        Files.createDirectories(jni.getParent());
        try (URLClassLoader empty = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertFalse(Torch.hasGpuNatives(empty));
            Files.write(jni, new byte[] {0});
            assertTrue(Torch.hasGpuNatives(empty));
        }
    }

    @Test
    void loadsTheCpuNativesWithoutTheGpuPreloads() {
        assertTrue(Torch.numThreads() > 0);
        assertEquals("", System.getProperty(Torch.PLATFORM_EXTENSION), "no extension: the -gpu preloads are skipped");
    }

    @Test
    void keepsAnExtensionTheUserChose() {
        String before = System.getProperty(Torch.PLATFORM_EXTENSION);
        System.setProperty(Torch.PLATFORM_EXTENSION, "-gpu");
        try {
            Torch.skipGpuPreloadsWithoutGpuNatives(getClass().getClassLoader());
            assertEquals("-gpu", System.getProperty(Torch.PLATFORM_EXTENSION));
        } finally {
            if (before == null) {
                System.clearProperty(Torch.PLATFORM_EXTENSION);
            } else {
                System.setProperty(Torch.PLATFORM_EXTENSION, before);
            }
        }
    }

    @Test
    void leavesNativeMemoryToScopesWithoutJavaCppsRssCheck() {
        assertTrue(Torch.numThreads() > 0);
        assertEquals(0, Pointer.maxPhysicalBytes(), "no /proc/self/statm read per native object");
    }

    @Test
    void keepsAnRssCapTheUserChose() {
        String before = System.getProperty(Torch.MAX_PHYSICAL_BYTES);
        System.clearProperty(Torch.MAX_PHYSICAL_BYTES);
        System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "8g");
        try {
            Torch.leaveNativeMemoryToScopes();
            assertNull(System.getProperty(Torch.MAX_PHYSICAL_BYTES), "the camel-case spelling counts as set");
            System.clearProperty("org.bytedeco.javacpp.maxPhysicalBytes");
            System.setProperty(Torch.MAX_PHYSICAL_BYTES, "8g");
            Torch.leaveNativeMemoryToScopes();
            assertEquals("8g", System.getProperty(Torch.MAX_PHYSICAL_BYTES));
            System.clearProperty(Torch.MAX_PHYSICAL_BYTES);
            Torch.leaveNativeMemoryToScopes();
            assertEquals("0", System.getProperty(Torch.MAX_PHYSICAL_BYTES), "none set: no cap");
        } finally {
            System.clearProperty("org.bytedeco.javacpp.maxPhysicalBytes");
            if (before == null) {
                System.clearProperty(Torch.MAX_PHYSICAL_BYTES);
            } else {
                System.setProperty(Torch.MAX_PHYSICAL_BYTES, before);
            }
        }
    }

    @Test
    void loadingInBackgroundSetsTheThreadsOfEveryThreadThatUsesLibtorchAfter() throws InterruptedException {
        int before = Torch.numThreads();
        int threads = before == 1 ? 2 : 1;
        try {
            Torch.loadInBackground(threads);
            assertArrayEquals(new float[] {0, 0}, Tensor.zeros(DType.FLOAT32, 2).toFloatArray()); // waits for the load
            assertEquals(threads, Torch.numThreads(), "the calling thread");
            int[] seen = new int[1];
            Thread other = new Thread(() -> seen[0] = Torch.numThreads());
            other.start();
            other.join();
            assertEquals(threads, seen[0], "a thread that starts using libtorch later");
        } finally {
            Torch.setNumThreads(before);
        }
        assertThrows(IllegalArgumentException.class, () -> Torch.loadInBackground(0));
    }
}
