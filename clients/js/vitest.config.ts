import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["verbose"],
    // the server tests share JVMs inside one file; the others are light: nothing gains from parallel files on a busy machine
    fileParallelism: false,
    // bounds for a stuck run, not timing assertions: tests wait for conditions, and JVMs start slowly on a loaded machine
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
