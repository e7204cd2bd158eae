import { createPrivateKey, X509Certificate as NodeCertificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
// @peculiar/x509 depends on tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// Node's global WebCrypto (the same object as node:crypto's webcrypto, typed as the Web API x509 expects).
x509.cryptoProvider.set(crypto);

/** The operator's CA, ready to sign leaf certificates. */
export interface OperatorCa {
  readonly cert: x509.X509Certificate;
  /** The CA file as given (the CA, and any chain above it), sent after each leaf. */
  readonly chainPem: string;
  readonly signingKey: CryptoKey;
  readonly signingAlgorithm: Algorithm | EcdsaParams;
  /** The CA's subject key identifier (hex), for the leaves' authority key identifier. */
  readonly keyId: string;
}

const EC_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
};

/**
 * Reads stopPage.caCertFile and caKeyFile (PEM; an RSA, P-256 or P-384 key,
 * PKCS#8 or traditional) and checks that the certificate is a CA, is valid
 * now, and matches the key. Errors name the file and what was expected.
 */
export async function loadOperatorCa(certFile: string, keyFile: string, now = Date.now()): Promise<OperatorCa> {
  const chainPem = read(certFile, 'caCertFile');
  const keyPem = read(keyFile, 'caKeyFile');
  let node: NodeCertificate;
  try {
    node = new NodeCertificate(chainPem);
  } catch (error) {
    throw new Error(`${certFile}: not a PEM certificate (${(error as Error).message}); expected "-----BEGIN CERTIFICATE-----"`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new Error(`${keyFile}: not a PEM private key (${(error as Error).message}); expected "-----BEGIN PRIVATE KEY-----" or a traditional RSA/EC key`);
  }
  if (!node.ca) throw new Error(`${certFile}: "${node.subject.replace(/\n/g, ', ')}" is not a CA certificate (basicConstraints CA:TRUE is missing); see docs/stop-page.md for the openssl commands`);
  if (!node.checkPrivateKey(key)) throw new Error(`${keyFile}: this key does not belong to the certificate in ${certFile}`);
  if (Date.parse(node.validTo) < now || Date.parse(node.validFrom) > now) throw new Error(`${certFile}: the CA is valid from ${node.validFrom} to ${node.validTo}, not now`);

  let importAlgorithm: RsaHashedImportParams | EcKeyImportParams;
  let signingAlgorithm: Algorithm | EcdsaParams;
  if (key.asymmetricKeyType === 'rsa') {
    importAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    signingAlgorithm = importAlgorithm;
  } else if (key.asymmetricKeyType === 'ec' && EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] !== undefined) {
    const curve = EC_CURVES[key.asymmetricKeyDetails!.namedCurve!]!;
    importAlgorithm = { name: 'ECDSA', namedCurve: curve.namedCurve };
    signingAlgorithm = { name: 'ECDSA', hash: curve.hash } as EcdsaParams;
  } else {
    throw new Error(`${keyFile}: a ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''} key; expected RSA, EC P-256 or EC P-384 (what browsers accept)`);
  }
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const signingKey = await crypto.subtle.importKey('pkcs8', der, importAlgorithm, false, ['sign']);
  const cert = new x509.X509Certificate(chainPem.slice(0, chainPem.indexOf('-----END CERTIFICATE-----') + 25));
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const keyId = ski?.keyId ?? Buffer.from(await cert.publicKey.getKeyIdentifier('SHA-1')).toString('hex');
  return { cert, chainPem, signingKey, signingAlgorithm, keyId };
}

function read(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`stopPage.${field} "${file}": cannot read it (${(error as Error).message})`);
  }
}
