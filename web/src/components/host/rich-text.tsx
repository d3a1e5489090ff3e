import { textParts } from '../../host/checks';

/** A text from the server with its `commands` shown as <code> (selected whole with one click). */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {textParts(text).map((p, i) =>
        p.code ? (
          <code key={i} className="cmd">
            {p.text}
          </code>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}
