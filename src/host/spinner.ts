const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;

export interface Spinner {
  update: (message: string) => void;
  stop: () => void;
}

/** A spinner with a message on stderr, or undefined when stderr is not a terminal. */
export function stderrSpinner(stream: NodeJS.WriteStream = process.stderr): Spinner | undefined {
  if (!stream.isTTY) return undefined;
  let message = '';
  let frame = 0;
  const draw = () => {
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${message}`);
  };
  const timer = setInterval(draw, FRAME_MS);
  timer.unref();
  return {
    update: (m: string) => {
      message = m;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
