import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // the library must compile without Node's types: it runs in browsers too
  dts: { compilerOptions: { types: [] } },
  target: "es2022",
  platform: "neutral",
  sourcemap: true,
  clean: true,
});
