/**
 * Patient identity for grouping, de-identified: the raw
 * PatientID never leaves memory; what is kept is an HMAC under a salt made
 * fresh for each process, so the stored value cannot be reversed by hashing
 * a list of likely IDs and cannot be linked across sessions.
 */
import { createHmac, randomBytes } from 'node:crypto';

const SALT = randomBytes(32);

/** A short salted hash of a patient key, stable within this process. */
export function patientGroupOf(patientKey: string): string {
  return createHmac('sha256', SALT).update(patientKey).digest('hex').slice(0, 16);
}
