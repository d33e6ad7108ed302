package dev.dlc.parse;

import java.util.List;

/** The programs of LANGUAGE.md §9, exactly as written there. */
final class Examples {
    private Examples() {}

    static final String LOGISTIC = """
            # logistic regression (binary), from scratch
            fn sigmoid_bce(z: f32[B], y: f32[B]) -> f32[] =
                mean(-(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z))))

            layer Logistic() {
                param w: f32[D] = zeros
                param b: f32[] = 0.0
                forward(x: f32[B, D]) -> f32[B] = x @ w + b
            }
            """;

    static final String MLP = """
            use std.nn
            use std.data

            layer MLP(hidden: Int = 256, classes: Int = 10) = seq {
                Flatten()
                Linear(hidden)
                ReLU()
                Dropout(0.5)
                Linear(classes)
            }

            train mlp {
                model     = MLP()
                data      = fashion_mnist(batch = 256)
                loss      = cross_entropy
                optimizer = sgd(lr = 0.1)
                epochs    = 10
                metrics   = [accuracy]
            }
            """;

    static final String LENET = """
            use std.nn

            layer LeNet() = seq {
                Conv2d(6, kernel = 5, padding = 2); Sigmoid(); AvgPool2d(2, stride = 2)
                Conv2d(16, kernel = 5);             Sigmoid(); AvgPool2d(2, stride = 2)
                Flatten()
                Linear(120); Sigmoid()
                Linear(84);  Sigmoid()
                Linear(10)
            }
            """;

    static final String ADAM = """
            # an optimizer is an update rule, fused into one kernel per step
            optimizer adam(lr: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
                state m = zeros
                state v = zeros
                update(p, g) {
                    m = beta1 * m + (1 - beta1) * g
                    v = beta2 * v + (1 - beta2) * g * g
                    p = p - lr * (m / (1 - beta1 ** t)) / (sqrt(v / (1 - beta2 ** t)) + eps)
                }
            }

            schedule warm_cosine(base: Float, warmup: Int, total: Int)(step: Int) -> Float =
                if step < warmup then base * step / warmup
                else 0.5 * base * (1 + cos(pi * (step - warmup) / (total - warmup)))
            """;

    static final String ATTENTION = """
            # scaled dot-product attention with a mask
            fn attention(q: f32[B, H, T, D], k: f32[B, H, S, D], v: f32[B, H, S, E],
                         mask: bool[B, 1, T, S]?) -> f32[B, H, T, E] {
                let scores = q @ transpose(k, -1, -2) / sqrt(D)
                let scores = if mask then masked_fill(scores, not mask, -1e9) else scores
                return softmax(scores, axis = -1) @ v
            }
            """;

    static final List<String> ALL = List.of(LOGISTIC, MLP, LENET, ADAM, ATTENTION);
}
