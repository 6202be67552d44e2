// A loopback SMTP server (the `smtp-server` package) for PortalOps' e-mail tests.
// Started by the test fixture as: node server.mjs <port> <folder> <user> <password>
// It offers AUTH PLAIN/LOGIN without TLS (loopback only), accepts a sign-in only with the given user and password, and writes
// every message it receives, as sent, to <folder>/<n>.eml. One JSON line on standard output per event. A line `ping <n>` on
// standard input is answered with {"event":"pong","n":<n>} after every event written before it, so a reader can wait for them.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { SMTPServer } from 'smtp-server';

const [port, folder, user, password] = [Number(process.argv[2]), process.argv[3], process.argv[4], process.argv[5]];
if (!port || !folder || !user || !password) {
  console.error('usage: node server.mjs <port> <folder> <user> <password>');
  process.exit(2);
}

fs.mkdirSync(folder, { recursive: true });
let received = 0;
const say = (event) => console.log(JSON.stringify(event));

const server = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  authMethods: ['PLAIN', 'LOGIN'],
  size: 50 * 1024 * 1024,
  logger: false,
  onAuth(auth, session, callback) {
    if (auth.username === user && auth.password === password) {
      say({ event: 'auth', user: auth.username, ok: true });
      return callback(null, { user: auth.username });
    }
    say({ event: 'auth', user: auth.username, ok: false });
    return callback(new Error('Invalid username or password'));
  },
  onMailFrom(address, session, callback) {
    if (!session.user) {
      return callback(Object.assign(new Error('Authentication required'), { responseCode: 530 }));
    }
    return callback();
  },
  onRcptTo(address, session, callback) {
    if (address.address.endsWith('@refused.test')) {
      return callback(Object.assign(new Error(`No such user: ${address.address}`), { responseCode: 550 }));
    }
    return callback();
  },
  onData(stream, session, callback) {
    const file = path.join(folder, `${++received}.eml`);
    const out = fs.createWriteStream(file);
    stream.pipe(out);
    out.on('finish', () => {
      say({
        event: 'message',
        file,
        from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
      });
      callback();
    });
  },
});

server.on('error', (err) => say({ event: 'error', message: String(err && err.message) }));
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const match = /^ping (\d+)$/.exec(line.trim());
  if (match) {
    say({ event: 'pong', n: Number(match[1]) });
  }
});
server.listen(port, '127.0.0.1', () => say({ event: 'listening', port }));
