import { AppError } from "../core/errors.ts";

/**
 * Runs a Redis call; a failure (connection down, timeout) becomes `store_unavailable`, which
 * reaches clients as a clear, retryable error instead of `internal_error`.
 */
export async function storeCall<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    throw new AppError("store_unavailable", "The room store (Redis) is unreachable right now; try again shortly.", {
      cause: error,
    });
  }
}
