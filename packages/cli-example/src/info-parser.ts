/** The info parser, loaded on its own so that validation code loads while pgBackRest is still running. */
export { InfoParseError, parseInfo, parseInfoDocument, parseInfoProgress } from '@chronos/pgbackrest';
