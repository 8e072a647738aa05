/** The package version, inlined at build time so that `chronos --version` reads no file. */
declare const __CHRONOS_VERSION__: string;
