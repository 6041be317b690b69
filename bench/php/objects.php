<?php
// Objects and closures: a tree built, walked and thrown away, in rounds.
final class Node {
    public array $children = [];
    public function __construct(public string $label, public int $weight) {}
}
function build(int $depth, int $fan, string $prefix): Node {
    $node = new Node($prefix, strlen($prefix));
    if ($depth > 0)
        for ($i = 0; $i < $fan; $i++)
            $node->children[] = build($depth - 1, $fan, $prefix . $i);
    return $node;
}
function weigh(Node $n): int {
    return array_reduce($n->children, fn($sum, $c) => $sum + weigh($c), $n->weight);
}
$total = 0;
for ($round = 0; $round < 12; $round++)
    $total += weigh(build(6, 5, "r$round-"));
echo $total, "\n";
