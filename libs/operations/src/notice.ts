/** Where a long operation reports progress (a CLI prints it to stderr; a service logs it or drops it). */
export type Notice = (message: string) => void;

/** Drops notices. */
export const silent: Notice = () => undefined;
