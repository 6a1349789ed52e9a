/**
 * Security against a secured real broker (test/harness/secure-broker.ts), started once for all
 * of these suites: authentication (every SASL mechanism, mutual TLS, each failure mode),
 * re-authentication with traffic flowing, authorization and ACLs, the CLI, and kafkawire/kafkajs.
 */
import { useSecureBroker } from '../harness/secure-broker.js';
import { authenticationSuite } from './security/authentication.suite.js';
import { authorizationSuite } from './security/authorization.suite.js';
import { cliSuite } from './security/cli.suite.js';
import { kafkajsSuite } from './security/kafkajs.suite.js';
import { reauthenticationSuite } from './security/reauthentication.suite.js';

const broker = useSecureBroker();
authenticationSuite(broker);
reauthenticationSuite(broker);
authorizationSuite(broker);
cliSuite(broker);
kafkajsSuite(broker);
