/** SQLite's primary result codes (the low byte of an extended code) that the messages below tell apart. */
const CODE = { PERM: 3, BUSY: 5, LOCKED: 6, READONLY: 8, IOERR: 10, CORRUPT: 11, FULL: 13, CANTOPEN: 14, TOOBIG: 18, CONSTRAINT: 19, MISMATCH: 20, RANGE: 25, NOTADB: 26 } as const;

function primaryCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown }).errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

/** Whether SQLite refused the values of a batch (nothing is wrong with the file: the batch is dropped, not retried). */
export function isBadData(error: unknown): boolean {
  const code = primaryCode(error);
  return code === CODE.CONSTRAINT || code === CODE.TOOBIG || code === CODE.MISMATCH || code === CODE.RANGE;
}

/** What an admin reads when the store cannot open or write its file: the file, what happened, what to do. */
export function cannotWrite(file: string, error: unknown): string {
  const said = error instanceof Error ? error.message : String(error);
  switch (primaryCode(error)) {
    case CODE.BUSY:
    case CODE.LOCKED:
      return `${file}: locked by another program (SQLite: ${said}); events wait in the queue and are written once it lets go`;
    case CODE.NOTADB:
    case CODE.CORRUPT:
      return `${file}: not an SQLite database, or damaged (SQLite: ${said}); move it (and its -wal and -shm files) aside and Stopzone starts a new one within a minute`;
    case CODE.FULL:
      return `${file}: the disk is full (SQLite: ${said})`;
    case CODE.CANTOPEN:
    case CODE.PERM:
    case CODE.READONLY:
      return `${file}: cannot be opened for writing (SQLite: ${said}); check that its directory exists and Stopzone may write there`;
    case CODE.IOERR:
      return `${file}: the disk failed a read or write (SQLite: ${said})`;
    default:
      return `${file}: ${said}`;
  }
}

/** What a search or the dashboard says when the file cannot be read. */
export function cannotRead(file: string, error: unknown): string {
  const said = error instanceof Error ? error.message : String(error);
  switch (primaryCode(error)) {
    case CODE.BUSY:
    case CODE.LOCKED:
      return `${file}: locked by another program (SQLite: ${said}); try again once it lets go`;
    case CODE.NOTADB:
    case CODE.CORRUPT:
      return `${file}: not an SQLite database, or damaged (SQLite: ${said}); move it (and its -wal and -shm files) aside and Stopzone starts a new one within a minute`;
    default:
      return `${file}: cannot be read (SQLite: ${said})`;
  }
}
