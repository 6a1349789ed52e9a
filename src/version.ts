/** Name and version this client reports to brokers in ApiVersions v3+ (KIP-511). */
export const CLIENT_SOFTWARE_NAME = 'kafkawire';
export const CLIENT_SOFTWARE_VERSION = '0.1.0';
