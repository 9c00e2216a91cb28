package dev.ember.backend;

/**
 * A validated 2-D sliding window: kernel (kH, kW), dilation (dH, dW), padding (pH, pW), stride (sH, sW), and
 * the number of window positions (oH, oW) it takes over the input.
 */
public record Window2d(int kH, int kW, int dH, int dW, int pH, int pW, int sH, int sW, int oH, int oW) {
}
