import sys, time, cProfile, pstats
sys.path.insert(0, '.')
from route_scaling import query_pairs
from graphs.store import load_graph
from routing import RoutingService
g = load_graph(sys.argv[1] if len(sys.argv) > 1 else 'build/heidelberg')
s = RoutingService(g, profiles=('hike',))
pairs = query_pairs(g, 200, 2)
for p in pairs[:10]: s.route(list(p), 'hike')
pr = cProfile.Profile()
pr.enable()
for p in pairs: 
    try: s.route(list(p), 'hike')
    except Exception: pass
pr.disable()
pstats.Stats(pr).sort_stats('tottime').print_stats(45)
