// pdf2json decides when it is loaded whether to print its errors with console.log, which
// would put stack traces on the daemon's stdout. Its failures reach us as errors anyway, and
// are logged (or become the reason a document is quarantined). Imported before pdf2json.
process.env.PDF2JSON_DISABLE_LOGS ??= '1';
export {};
