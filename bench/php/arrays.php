<?php
// Hash tables growing and shrinking: a word count over generated text.
mt_srand(7);
$counts = [];
for ($round = 0; $round < 30; $round++) {
    $words = [];
    for ($i = 0; $i < 5000; $i++)
        $words[] = "w" . mt_rand(0, 20000);
    foreach ($words as $w)
        $counts[$w] = ($counts[$w] ?? 0) + 1;
    arsort($counts);
    $counts = array_slice($counts, 0, 2000, true);
}
echo count($counts), "\n";
