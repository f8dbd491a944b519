import type { ProgressEvent } from '@ledgerkit/fabric-network';

/** Renders progress events: a spinner with elapsed time per step in a terminal, plain lines otherwise (CI). */
export function progressPrinter(write: (text: string) => void, isTTY: boolean) {
  const started = performance.now();
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let current: { step: string; at: number } | undefined;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const draw = () => {
    if (!current) return;
    frame = (frame + 1) % frames.length;
    write(`\r\x1b[2K${frames[frame]} ${current.step} ${seconds(performance.now() - current.at)}`);
  };
  return {
    onProgress(event: ProgressEvent): void {
      if (event.type === 'step-start') {
        current = { step: event.step, at: performance.now() };
        if (isTTY) {
          draw();
          timer = setInterval(draw, 80);
        } else {
          write(`- ${event.step} ...\n`);
        }
      } else if (event.type === 'step-end') {
        if (timer) clearInterval(timer);
        timer = undefined;
        current = undefined;
        const mark = event.ok ? '✓' : '✗';
        write(`${isTTY ? '\r\x1b[2K' : ''}${mark} ${event.step} (${seconds(event.ms)})\n`);
      } else {
        write(`${isTTY && current ? '\r\x1b[2K' : ''}  ${event.message}\n`);
      }
    },
    /** Stops the spinner and returns the total time. */
    finish(): string {
      if (timer) clearInterval(timer);
      return seconds(performance.now() - started);
    },
  };
}
