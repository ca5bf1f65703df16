/**
 * What a failed check reports. A problem never drops data: the invoice goes to needs_review
 * with these as the reasons, so each one names the field and the value an operator must look at.
 */
export type Severity = 'error' | 'warning';

export interface ValidationProblem {
  /** Stable, for tests, filters and alerts: 'ICO_CHECKSUM'. */
  code: string;
  /** Dotted path into the normalized invoice: 'supplier.ico', 'lines[3].line_net'. */
  field: string;
  /** One English sentence naming the value. */
  message: string;
  severity: Severity;
}

export interface ValidationResult {
  /** True when no problem is an error; warnings alone leave an invoice valid. */
  valid: boolean;
  problems: ValidationProblem[];
}

export function error(code: string, field: string, message: string): ValidationProblem {
  return { code, field, message, severity: 'error' };
}

export function warning(code: string, field: string, message: string): ValidationProblem {
  return { code, field, message, severity: 'warning' };
}
