#!/usr/bin/perl
use Mojolicious::Lite -signatures;
get '/' => sub ($c) { $c->render(text => "hello\n") };
app->config(hypnotoad => {listen => ['http://127.0.0.1:8080'], workers => 2});
app->start;
