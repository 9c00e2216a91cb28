package dev.ember.backend;

/**
 * Reductions over a set of dimensions. SUM, MAX and MIN produce the input's value dtype (SUM of integers
 * or bools gives INT64, as in PyTorch); ARGMAX and ARGMIN produce INT64 indices into the reduced
 * dimensions flattened in row-major order, the first occurrence winning ties.
 */
public enum ReduceOp {
    SUM, MAX, MIN, ARGMAX, ARGMIN
}
