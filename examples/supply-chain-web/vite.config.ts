import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The verifiers of three backends and a chart library: one page, loaded once.
    chunkSizeWarningLimit: 2048,
  },
  // `npm run dev` (vite) forwards the API to a server started with `npm start`.
  server: { proxy: { '/api': 'http://127.0.0.1:5180' } },
});
