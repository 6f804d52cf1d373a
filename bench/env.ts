/**
 * Environment of a benchmark run, set before any product module is loaded
 * (import this first): no log lines or metrics on stdout, which carries the
 * report, and no SDK notice about Node versions.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
if (!process.env.LOG_LEVEL) process.env.LOG_LEVEL = 'silent';
