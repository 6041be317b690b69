<?php
// A template-like workload: many short strings built, joined and dropped.
$out = [];
for ($i = 0; $i < 60000; $i++) {
    $name = "item" . $i;
    $row = sprintf("<li id=\"%s\">%s: %d</li>", $name, strtoupper($name), $i * 7);
    $out[] = $row;
    if (count($out) > 500) {
        $page = implode("\n", $out);
        $out = [];
    }
}
echo strlen($page ?? ""), "\n";
