/**
 * A function that writes the time `ms` (since the epoch) as pino.stdTimeFunctions.isoTime writes the time now
 * (`,"time":"2026-12-07T07:13:07.123Z"`), making the date and the time to the second once a second instead of a
 * Date and its ISO string for every line.
 */
export function isoTimestamps(): (ms: number) => string {
  let second = Number.NaN;
  let head = '';
  return (ms) => {
    const inSecond = ms - Math.floor(ms / 1000) * 1000;
    if (ms - inSecond !== second) {
      second = ms - inSecond;
      // "...T07:13:07.000Z" without its last four characters; years past 9999 are written longer, the end is the same.
      head = `,"time":"${new Date(second).toISOString().slice(0, -4)}`;
    }
    return `${head}${inSecond < 10 ? '00' : inSecond < 100 ? '0' : ''}${inSecond}Z"`;
  };
}
