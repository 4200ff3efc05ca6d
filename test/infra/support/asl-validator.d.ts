/** asl-validator 4 ships no types: the one call the infra tests make. */
declare module 'asl-validator' {
  export default function aslValidator(definition: unknown): {
    isValid: boolean;
    errorsText(separator?: string): string;
  };
}
