import { describe, expect, it } from 'vitest';
import { registrationStage } from './DynamicRegistration';

describe('a registration’s stage', () => {
  it('follows the flow’s steps', () => {
    expect(registrationStage(['dr_host'])).toBe('waiting');
    expect(registrationStage(['dr_host', 'dr_configuration'])).toBe('configuration read');
    expect(registrationStage(['dr_host', 'dr_configuration', 'dr_register', null])).toBe('registered');
    expect(registrationStage(['dr_configuration', 'dr_register', 'dr_close'])).toBe('closed');
  });
});
