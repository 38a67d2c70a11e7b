"""``make bench``: speed, memory, start-up and training time, beside Rasa's starter bot.

Starts the action server and the Rasa server as ``make run`` does (on free
loopback ports), drives bilingual conversations with follow-ups over the REST
channel at one client and at many concurrent clients, reads each process's
resident memory and times start-up and training. The same measurements run
on the bot ``rasa init`` creates, so each figure has a reference beside it.
Prints markdown tables, writes ``results/bench.json`` and draws the latency
of one long conversation turn by turn.

``--profile`` instead loads the model in this process and splits the time of
one message between NLU, dialogue policies and the action server.

Modules: ``plan`` (what traffic each measurement sends), ``driver`` (the
clients), ``stats`` and ``figures`` (what is kept of it), ``procfs`` (memory
and other trainings, read in /proc), ``servers`` (the processes under test),
``measurements`` (each phase of a run), ``tables``, ``results`` and ``chart``
(the report), ``profile`` (``--profile``) and ``limiter`` (the web front's rate
limiter on its own).
"""
