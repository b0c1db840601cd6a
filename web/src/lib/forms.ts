// Turning API errors into form messages.
import { ApiError } from './api';

export interface FormErrors {
  /** Per field (the API's `details.field` names, e.g. `primaryColour`). */
  fields: Record<string, string>;
  /** For the whole form. */
  form: string;
}

export function noErrors(): FormErrors {
  return { fields: {}, form: '' };
}

/**
 * A 422 that names a field the form shows goes next to that field; anything else is a
 * form-level message. `known` lists the form's field names.
 */
export function formErrors(error: unknown, known: readonly string[]): FormErrors {
  if (error instanceof ApiError) {
    const field = error.field;
    if (field && known.includes(field)) {
      return { fields: { [field]: error.fieldMessage }, form: 'Please correct the highlighted field.' };
    }
    return { fields: {}, form: error.message };
  }
  return { fields: {}, form: 'Something went wrong; please try again.' };
}
