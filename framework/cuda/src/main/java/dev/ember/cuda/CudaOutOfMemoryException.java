package dev.ember.cuda;

/**
 * The device has no room for a requested allocation even after Ember freed its cache (PyTorch's
 * {@code torch.cuda.OutOfMemoryError}). The message names the request and what is in use.
 */
public final class CudaOutOfMemoryException extends RuntimeException {
    public CudaOutOfMemoryException(String message) {
        super(message);
    }
}
