import { defineConfig } from 'vite';

// Tauri serves the built files; no dev server is needed for the bundled app.
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
});
